using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// What applying a config does to each application, decided before anything changes. Declarative and imperative
/// applications are kept apart, as in Ray: a config owns the applications deployed from a config, so one of them that it
/// no longer lists is deleted; an application run from code (<c>RunAsync</c>) is not the config's, and one the config
/// does not name is left running (<see cref="Kept"/>). Otherwise a round trip of the cluster's own config
/// (<c>serve config &gt; f &amp;&amp; serve deploy f</c>, where <c>serve config</c> cannot write code-run applications)
/// deleted them silently. A config that names a code-run application takes it over.
/// </summary>
internal sealed record ConfigApplyPlan
{
    /// <summary>Listed applications that do not exist.</summary>
    public required IReadOnlyList<string> Created { get; init; }

    /// <summary>Listed applications whose spec differs from the current one.</summary>
    public required IReadOnlyList<string> Updated { get; init; }

    /// <summary>The created and updated applications, in the config's order, each with its current spec (null when created).</summary>
    public required IReadOnlyList<(ApplicationSpec Spec, ApplicationSpec? Previous)> Changed { get; init; }

    /// <summary>Listed applications whose spec is the current one.</summary>
    public required IReadOnlyList<string> Unchanged { get; init; }

    /// <summary>Applications deployed from a config that this config does not list, in name order.</summary>
    public required IReadOnlyList<string> Deleted { get; init; }

    /// <summary>Applications run from code that this config does not name, in name order: left as they are.</summary>
    public required IReadOnlyList<string> Kept { get; init; }

    /// <summary>
    /// The plan for <paramref name="applications"/> against the <paramref name="current"/> ones; those in
    /// <paramref name="deleting"/> are on their way out already and neither deleted again nor kept.
    /// </summary>
    public static ConfigApplyPlan Of(IReadOnlyList<ApplicationSpec> applications, IReadOnlyDictionary<string, ApplicationSpec> current, IReadOnlySet<string> deleting)
    {
        ArgumentNullException.ThrowIfNull(applications);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(deleting);
        var created = new List<string>();
        var updated = new List<string>();
        var unchanged = new List<string>();
        var changed = new List<(ApplicationSpec, ApplicationSpec?)>();
        foreach (var spec in applications)
        {
            var previous = current.GetValueOrDefault(spec.Name);
            if (spec.Equals(previous))
            {
                unchanged.Add(spec.Name);
                continue;
            }
            (previous is null ? created : updated).Add(spec.Name);
            changed.Add((spec, previous));
        }
        var listed = applications.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var others = current.Values.Where(a => !listed.Contains(a.Name) && !deleting.Contains(a.Name)).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        return new ConfigApplyPlan
        {
            Created = created,
            Updated = updated,
            Changed = changed,
            Unchanged = unchanged,
            Deleted = others.Where(IsDeclarative).Select(a => a.Name).ToList(),
            Kept = others.Where(a => !IsDeclarative(a)).Select(a => a.Name).ToList(),
        };
    }

    /// <summary>Whether the application was deployed from a config (it keeps its entry of it), not run from code.</summary>
    public static bool IsDeclarative(ApplicationSpec application) => application.Config is not null;
}
