using System.Reflection;

namespace Serve.Testing;

/// <summary>The assemblies of every deployment class in an application graph: the ingress and, through its bound arguments, the rest.</summary>
internal static class ApplicationAssemblies
{
    public static IEnumerable<Assembly> Of(BoundDeployment app)
    {
        var seen = new HashSet<BoundDeployment>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<BoundDeployment>([app]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }
            yield return node.Definition.Type.Assembly;
            foreach (var child in node.Arguments.OfType<BoundDeployment>())
            {
                pending.Push(child);
            }
        }
    }
}
