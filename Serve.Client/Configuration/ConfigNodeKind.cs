namespace Serve.Configuration;

/// <summary>What a value of a config file is, once YAML's plain scalars are resolved (YAML 1.2 core schema).</summary>
internal enum ConfigNodeKind
{
    Null,
    Boolean,
    Integer,
    Float,
    String,
    Mapping,
    Sequence,
}
