using System.Reflection;
using Serve.Batching;
using Serve.Multiplexing;

namespace Serve.Applications;

/// <summary>
/// Checks a deployment class's batched methods and model loader against its options when an application is built, so a
/// signature that cannot work, or batching settings for a method that does not batch, fail the deploy with the fix —
/// not a replica start — and settings that defeat batching are pointed out.
/// </summary>
internal static class DeploymentFeatures
{
    public static void Check(Type type, DeploymentOptions options, string deployment, List<string> errors, List<string> warnings)
    {
        var batched = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(BatchMethod.IsBatched)
            .ToArray();
        foreach (var method in batched)
        {
            if (!method.IsPublic)
            {
                errors.Add($"deployment '{deployment}': [Batch] method {type.Name}.{method.Name} must be public to be called through handles.");
            }
            else if (BatchMethod.Check(method) is { } problem)
            {
                errors.Add($"deployment '{deployment}': {problem}");
            }
        }
        try
        {
            ModelLoader.Find(type);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"deployment '{deployment}': {e.Message}");
        }

        foreach (var name in options.Batching.Keys)
        {
            if (!batched.Any(m => m.Name == name || m.Name == name + "Async"))
            {
                var known = batched.Length == 0 ? $"{type.Name} has no [Batch] method" : $"its [Batch] methods: {string.Join(", ", batched.Select(m => m.Name))}";
                errors.Add($"deployment '{deployment}': Batching names '{name}', which is not a [Batch] method of {type.Name} ({known}).");
            }
        }
        foreach (var (method, size) in BatchSizes(type, options))
        {
            if (options.MaxOngoingRequests < size)
            {
                warnings.Add($"deployment '{deployment}': MaxOngoingRequests ({options.MaxOngoingRequests}) is below {type.Name}.{method.Name}'s MaxBatchSize ({size}), "
                    + $"so a replica never gathers a full batch. Fix: raise MaxOngoingRequests to at least {size}.");
            }
        }
    }

    /// <summary>
    /// Warns when the deployments of the application that call <paramref name="node"/> (those bound to it) can run fewer
    /// requests at once, across their replicas, than one of its batches holds: each of their requests that makes one call
    /// (the template's ingress at the default MaxOngoingRequests of 5, say) leaves every batch short of full, and each
    /// batch then waits its whole BatchWaitTimeout. Callers outside the application (other applications, clients) are not
    /// counted, nor requests that make several calls each, hence "unless" in the warning.
    /// </summary>
    public static void CheckCallers(BoundDeployment node, IReadOnlyList<BoundDeployment> callers, List<string> warnings)
    {
        if (callers.Count == 0)
        {
            return;
        }
        var type = node.Definition.Type;
        var options = node.Definition.DeploymentOptions;
        var limits = callers.Select(c => (c.Name, c.Definition.DeploymentOptions.MaxOngoingRequests, Replicas: MostReplicas(c.Definition.DeploymentOptions))).ToArray();
        var calls = limits.Sum(l => (long)l.MaxOngoingRequests * l.Replicas);
        // A deployment below its own batch size is warned about already, with its own fix.
        foreach (var (method, size) in BatchSizes(type, options).Where(b => b.Size <= options.MaxOngoingRequests && calls < b.Size))
        {
            var each = string.Join(", ", limits.Select(l => $"{l.Name}: MaxOngoingRequests {l.MaxOngoingRequests} × {l.Replicas} replica(s)"));
            warnings.Add($"deployment '{node.Name}': the deployments that call it run at most {calls} request(s) at once ({each}), below "
                + $"{type.Name}.{method.Name}'s MaxBatchSize ({size}), so unless each of their requests calls it several times a batch never fills "
                + $"and each waits its whole BatchWaitTimeout. Fix: raise the MaxOngoingRequests of {string.Join(", ", limits.Select(l => l.Name))} "
                + $"so that together they run at least {size}.");
        }
    }

    /// <summary>The most replicas a deployment runs: its autoscaling maximum, else its fixed count.</summary>
    private static int MostReplicas(DeploymentOptions options) => options.Autoscaling?.MaxReplicas ?? options.NumReplicas;

    /// <summary>Each well-formed public [Batch] method of <paramref name="type"/> with the MaxBatchSize <paramref name="options"/> give it.</summary>
    private static IEnumerable<(MethodInfo Method, int Size)> BatchSizes(Type type, DeploymentOptions options) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => BatchMethod.IsBatched(m) && BatchMethod.Check(m) is null)
            .Select(m => (m, m.GetCustomAttribute<BatchAttribute>(inherit: true)!.ToSettings().With(InstanceBatches.ConfigFor(m.Name, options.Batching)).MaxBatchSize));
}
