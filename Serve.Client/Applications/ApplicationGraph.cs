using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Serve.Grains;

namespace Serve.Applications;

/// <summary>
/// Turns a bound application graph into the spec the controller stores, checking every node first:
/// every problem is reported at once and nothing is deployed when there is one.
/// </summary>
internal static class ApplicationGraph
{
    public static ApplicationSpec Build(BoundDeployment ingress, string name, string? routePrefix, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        var errors = new List<string>();
        if (!ServeName.IsValid(name))
        {
            errors.Add($"application name '{ServeName.Shown(name)}' {ServeName.Requirement}.");
        }
        if (routePrefix is not null && (!routePrefix.StartsWith('/') || (routePrefix.Length > 1 && routePrefix.EndsWith('/'))))
        {
            errors.Add($"route prefix '{routePrefix}' must start with '/' and must not end with '/' (use \"/\" for the root, or null for no HTTP route).");
        }

        if (requestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"request timeout {requestTimeout} must be positive (or null for the gateway's).");
        }

        var nodes = new List<BoundDeployment>();
        Collect(ingress, nodes, new HashSet<BoundDeployment>(ReferenceEqualityComparer.Instance), errors);
        foreach (var group in nodes.GroupBy(n => n.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"two deployments are named '{group.Key}' ({string.Join(", ", ClassNames(group.Select(n => n.Definition.Type)))}). Fix: give one another name with .Options(o => o with {{ Name = \"...\" }}).");
        }

        var specs = new List<DeploymentSpec>();
        var warnings = new List<string>();
        foreach (var node in nodes)
        {
            var type = node.Definition.Type;
            foreach (var optionError in node.Definition.DeploymentOptions.Validate())
            {
                errors.Add($"deployment '{node.Name}' ({type.Name}): {optionError}");
            }
            DeploymentFeatures.Check(type, node.Definition.DeploymentOptions, node.Name, errors, warnings);
            Serialization.WireSignatures.Check(type, node.Name, errors);
            MethodShapes.Check(type, node.Name, errors);
            var shapes = node.Arguments.Select(Shape).ToArray();
            if (ConstructorBinding.Select(type, shapes, out var bindError) is null)
            {
                errors.Add($"deployment '{node.Name}': {bindError}");
                continue;
            }
            var arguments = new List<BoundArgument>();
            foreach (var (argument, index) in node.Arguments.Select((a, i) => (a, i)))
            {
                arguments.Add(ToBoundArgument(node, argument, index, errors));
            }
            specs.Add(new DeploymentSpec
            {
                Application = name,
                TypeName = type.AssemblyQualifiedName!,
                Arguments = arguments,
                Options = node.Definition.DeploymentOptions,
                CodeVersion = CodeVersion(type, arguments, node.Definition.DeploymentOptions.Resources),
                Build = DeploymentBuild.Of(type),
            });
        }

        foreach (var node in nodes)
        {
            DeploymentFeatures.CheckCallers(node, [.. nodes.Where(caller => caller.Arguments.Any(argument => ReferenceEquals(argument, node)))], warnings);
        }

        var grpcServices = GrpcServices(ingress, errors);
        if (errors.Count > 0)
        {
            throw new InvalidApplicationException(name, errors);
        }
        return new ApplicationSpec
        {
            Name = name,
            RoutePrefix = routePrefix,
            IngressDeployment = ingress.Name,
            Deployments = specs,
            RequestTimeout = requestTimeout,
            Warnings = warnings,
            GrpcServices = grpcServices,
        };
    }

    /// <summary>The gRPC services the ingress names with [GrpcService], checked to be what a call's path can carry.</summary>
    private static string[] GrpcServices(BoundDeployment ingress, List<string> errors)
    {
        var type = ingress.Definition.Type;
        var names = type.GetCustomAttributes(typeof(GrpcServiceAttribute), inherit: false).Cast<GrpcServiceAttribute>().Select(a => a.Name).ToArray();
        foreach (var bad in names.Where(n => string.IsNullOrWhiteSpace(n) || n.Contains('/') || n.Any(char.IsWhiteSpace)))
        {
            errors.Add($"deployment '{ingress.Name}': [GrpcService(\"{bad}\")] must name a gRPC service by its full name, e.g. \"greet.Greeter\" (no '/', no spaces).");
        }
        foreach (var twice in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"deployment '{ingress.Name}': [GrpcService(\"{twice.Key}\")] is given {twice.Count()} times.");
        }
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private static void Collect(BoundDeployment node, List<BoundDeployment> nodes, HashSet<BoundDeployment> seen, List<string> errors)
    {
        if (!seen.Add(node))
        {
            return;
        }
        nodes.Add(node);
        foreach (var child in node.Arguments.OfType<BoundDeployment>())
        {
            Collect(child, nodes, seen, errors);
        }
        foreach (var definition in node.Arguments.OfType<DeploymentDefinition>())
        {
            errors.Add($"deployment '{node.Name}' is given the unbound deployment {definition.Type.Name}. Fix: pass Deployment.For<{definition.Type.Name}>().Bind(...) instead.");
        }
    }

    private static ConstructorBinding.ArgumentShape Shape(object? argument) => argument switch
    {
        BoundDeployment child => new(null, child.Definition.Type, child.Name),
        null => new(null, null, null),
        _ => new(argument.GetType(), null, null),
    };

    private static BoundArgument ToBoundArgument(BoundDeployment node, object? argument, int index, List<string> errors)
    {
        if (argument is BoundDeployment child)
        {
            return new BoundArgument { Deployment = child.Name, DeploymentTypeName = child.Definition.Type.AssemblyQualifiedName };
        }
        try
        {
            return new BoundArgument
            {
                Json = JsonSerializer.Serialize(argument, argument?.GetType() ?? typeof(object)),
                TypeName = argument?.GetType().AssemblyQualifiedName,
            };
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            errors.Add($"deployment '{node.Name}': bound argument {index + 1} ({argument!.GetType().Name}) cannot be serialised to JSON ({e.Message}). Fix: bind plain data, or take the object from dependency injection.");
            return new BoundArgument();
        }
    }

    /// <summary>
    /// What a replica is built from: the class, its build, its bound arguments, and what it holds of its silo. A change
    /// of any rolls the replicas (new ones start, then the old ones stop); other options reach running replicas in place.
    /// Resources are part of it because a silo's ledger counts what each replica took when it started: changed in place,
    /// the ledger kept the old amounts, and placement went by numbers no replica held. Default resources add nothing, so
    /// the versions of deployments that never set them stay as they were.
    /// </summary>
    private static string CodeVersion(Type type, IReadOnlyList<BoundArgument> arguments, ReplicaResources resources)
    {
        var text = new StringBuilder(type.AssemblyQualifiedName).Append('|').Append(type.Assembly.ManifestModule.ModuleVersionId);
        foreach (var argument in arguments)
        {
            text.Append('|').Append(argument.TypeName).Append(argument.Json).Append(argument.Deployment);
        }
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (resources.NumCpus != 1 || resources.NumGpus != 0 || resources.Memory != 0 || resources.Custom.Count > 0)
        {
            text.Append("|resources:").Append(resources.NumCpus.ToString("R", invariant)).Append(',').Append(resources.NumGpus.ToString("R", invariant))
                .Append(',').Append(resources.Memory.ToString(invariant));
            foreach (var (name, amount) in resources.Custom.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                text.Append(',').Append(name).Append('=').Append(amount.ToString("R", invariant));
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }

    /// <summary>The classes' names, in full where two share a short name (<c>Vision.Model</c>, <c>Text.Model</c>), so the error tells them apart.</summary>
    private static IEnumerable<string> ClassNames(IEnumerable<Type> types)
    {
        var list = types.ToList();
        return list.Select(t => list.Count(o => o.Name == t.Name) > 1 && t.FullName is { } full ? full : t.Name);
    }
}
