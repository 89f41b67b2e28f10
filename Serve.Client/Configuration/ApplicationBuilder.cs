using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serve.Configuration;

/// <summary>
/// What an import path names: a public static property of type <see cref="BoundDeployment"/>, or a public static
/// method returning one that takes no parameter or one parameter into which the application's <c>args</c> are
/// deserialised with System.Text.Json (snake_case names; unknown names rejected). That parameter may be a record of
/// its own, a <see cref="JsonElement"/>, or an <c>IReadOnlyDictionary&lt;string, JsonElement&gt;</c>.
/// </summary>
internal sealed class ApplicationBuilder
{
    /// <summary>How <c>args</c> become the builder's parameter: Ray's keys are snake_case.</summary>
    public static readonly JsonSerializerOptions ArgsJsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly MemberInfo _member;

    public ApplicationBuilder(string importPath, MemberInfo member)
    {
        ImportPath = importPath;
        _member = member;
        Parameter = member is MethodInfo method ? method.GetParameters().SingleOrDefault() : null;
    }

    public string ImportPath { get; }

    /// <summary>The parameter receiving <c>args</c>, or null when the builder takes none.</summary>
    public ParameterInfo? Parameter { get; }

    public string Description => $"{_member.DeclaringType!.FullName}.{_member.Name}";

    /// <summary>Calls the builder with <paramref name="argsJson"/>; null (reported with <paramref name="path"/>) when that fails.</summary>
    public BoundDeployment? Build(string? argsJson, string path, ConfigProblems problems)
    {
        object?[] arguments = [];
        if (Parameter is null)
        {
            if (argsJson is not null && argsJson != "{}")
            {
                problems.Add(ConfigProblems.Child(path, "args"), $"{Description} takes no arguments. Fix: remove args, or give the builder a parameter to receive them.");
                return null;
            }
        }
        else
        {
            try
            {
                arguments = [argsJson is null && Parameter.HasDefaultValue ? Parameter.DefaultValue : JsonSerializer.Deserialize(argsJson ?? "{}", Parameter.ParameterType, ArgsJsonOptions)];
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                problems.Add(ConfigProblems.Child(path, "args"), $"cannot be read as the {Parameter.ParameterType.Name} that {Description} takes: {e.Message}");
                return null;
            }
        }

        try
        {
            var app = _member switch
            {
                PropertyInfo property => property.GetValue(null),
                _ => ((MethodInfo)_member).Invoke(null, arguments),
            };
            if (app is BoundDeployment bound)
            {
                return bound;
            }
            problems.Add(ConfigProblems.Child(path, "import_path"), $"{Description} returned null instead of an application.");
        }
        catch (TargetInvocationException e) when (e.InnerException is { } error)
        {
            problems.Add(ConfigProblems.Child(path, "import_path"), $"{Description} threw {error.GetType().Name}: {error.Message}");
        }
        return null;
    }

    /// <summary>The default <c>args</c> of this builder, as JSON: its parameter's default or a fresh instance, serialised.</summary>
    public string DefaultArgsJson()
    {
        if (Parameter is null)
        {
            return "{}";
        }
        try
        {
            var value = Parameter.HasDefaultValue && Parameter.DefaultValue is not null
                ? Parameter.DefaultValue
                : JsonSerializer.Deserialize("{}", Parameter.ParameterType, ArgsJsonOptions);
            return value is null ? "{}" : JsonSerializer.Serialize(value, Parameter.ParameterType, ArgsJsonOptions);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return "{}";
        }
    }
}
