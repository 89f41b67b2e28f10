namespace Serve.Cluster;

/// <summary>A silo's port is taken by another process; the message names the setting and the port.</summary>
internal sealed class SiloPortInUseException(string message) : Exception(message)
{
    /// <summary>This exception within <paramref name="error"/>, which the silo's start may have wrapped.</summary>
    public static SiloPortInUseException? Find(Exception? error) => error switch
    {
        null => null,
        SiloPortInUseException taken => taken,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null),
        _ => Find(error.InnerException),
    };
}
