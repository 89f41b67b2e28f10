using System.Text.Json.Serialization;

namespace Serve;

/// <summary>How the load samples in <see cref="AutoscalingConfig.LookBackPeriod"/> become one number.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AutoscalingAggregation>))]
public enum AutoscalingAggregation
{
    /// <summary>The average of the samples: steady, follows sustained load. Ray's default.</summary>
    [JsonStringEnumMemberName("mean")] Mean,
    /// <summary>The highest sample: scales for peaks, keeps replicas longer.</summary>
    [JsonStringEnumMemberName("max")] Max,
    /// <summary>The lowest sample: scales only for load that never let up.</summary>
    [JsonStringEnumMemberName("min")] Min,
}
