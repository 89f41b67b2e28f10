namespace Serve.Configuration;

/// <summary>Applies a config file's deployment overrides to an application graph built in code.</summary>
internal static class GraphOverrides
{
    /// <summary>Every deployment of the graph under <paramref name="root"/>, by name, ingress first.</summary>
    public static IReadOnlyList<BoundDeployment> Nodes(BoundDeployment root)
    {
        var nodes = new List<BoundDeployment>();
        var seen = new HashSet<BoundDeployment>(ReferenceEqualityComparer.Instance);
        var pending = new Queue<BoundDeployment>([root]);
        while (pending.TryDequeue(out var node))
        {
            if (seen.Add(node))
            {
                nodes.Add(node);
                foreach (var child in node.Arguments.OfType<BoundDeployment>())
                {
                    pending.Enqueue(child);
                }
            }
        }
        return nodes;
    }

    /// <summary>A copy of the graph whose deployments named in <paramref name="overrides"/> have those options applied.</summary>
    public static BoundDeployment Apply(BoundDeployment root, IReadOnlyDictionary<string, DeploymentConfig> overrides)
    {
        var rewritten = new Dictionary<BoundDeployment, BoundDeployment>(ReferenceEqualityComparer.Instance);
        return Rewrite(root);

        BoundDeployment Rewrite(BoundDeployment node)
        {
            if (rewritten.TryGetValue(node, out var done))
            {
                return done;
            }
            var arguments = node.Arguments.Select(a => a is BoundDeployment child ? Rewrite(child) : a).ToArray();
            var options = overrides.TryGetValue(node.Name, out var entry)
                ? entry.ApplyTo(node.Definition.DeploymentOptions)
                : node.Definition.DeploymentOptions;
            var result = new BoundDeployment(new DeploymentDefinition(node.Definition.Type, options), arguments);
            rewritten[node] = result;
            return result;
        }
    }
}
