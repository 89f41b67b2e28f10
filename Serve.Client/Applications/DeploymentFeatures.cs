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
        foreach (var method in batched.Where(m => m.IsPublic && BatchMethod.Check(m) is null))
        {
            var size = method.GetCustomAttribute<BatchAttribute>(inherit: true)!.ToSettings()
                .With(InstanceBatches.ConfigFor(method.Name, options.Batching)).MaxBatchSize;
            if (options.MaxOngoingRequests < size)
            {
                warnings.Add($"deployment '{deployment}': MaxOngoingRequests ({options.MaxOngoingRequests}) is below {type.Name}.{method.Name}'s MaxBatchSize ({size}), "
                    + $"so a replica never gathers a full batch. Fix: raise MaxOngoingRequests to at least {size}.");
            }
        }
    }
}
