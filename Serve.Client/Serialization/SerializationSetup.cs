using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;

namespace Serve.Serialization;

/// <summary>
/// How the values of calls cross between processes, the same on silos and on external clients: Orleans' codecs where
/// they exist, System.Text.Json for the application's other types (<see cref="JsonFallback"/>), arrays for the lists of
/// collection expressions, and a copy of every call's values (<see cref="WireValues"/>).
/// </summary>
internal static class SerializationSetup
{
    public static IServiceCollection AddServeSerialization(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(WireValues)))
        {
            return services;
        }
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSerializable: JsonFallback.Accepts,
            isCopyable: JsonFallback.Accepts,
            configureOptions: options => options.Configure(o => o.SerializerOptions = JsonFallback.Options)));
        services.AddSingleton<CollectionExpressionCodec>();
        services.AddSingleton<IGeneralizedCodec>(s => s.GetRequiredService<CollectionExpressionCodec>());
        services.AddSingleton<IGeneralizedCopier>(s => s.GetRequiredService<CollectionExpressionCodec>());
        services.TryAddSingleton<WireValues>();
        return services;
    }
}
