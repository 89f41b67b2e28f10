using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Serve.Http;

/// <summary>Writes what an <see cref="IHttpIngress"/> returned, by the rules its documentation gives.</summary>
internal static class IngressResultWriter
{
    private static readonly ConcurrentDictionary<Type, Func<HttpContext, object, Task>> ValueStreams = new();
    private static readonly ConcurrentDictionary<Type, bool> HidesAllState = new();

    public static Task WriteAsync(HttpContext context, object? result) => result switch
    {
        IResult executable => executable.ExecuteAsync(context),
        string text => WriteTextAsync(context, text),
        byte[] bytes => WriteBytesAsync(context, bytes),
        IAsyncEnumerable<string> texts => WriteTextStreamAsync(context, texts),
        IAsyncEnumerable<object?> items => WriteJsonLinesAsync(context, items),
        null => context.Response.WriteAsJsonAsync<object?>(null, context.RequestAborted),
        _ when AsyncEnumerableItemType(result.GetType()) is { } itemType => ValueStreams.GetOrAdd(itemType, CreateValueStreamWriter)(context, result),
        _ => WriteJsonAsync(context, result),
    };

    private static Task WriteJsonAsync(HttpContext context, object result)
    {
        var type = result.GetType();
        if (HidesAllState.GetOrAdd(type, WouldWriteEmptyObject))
        {
            // JSON writes public properties and fields only: the client would get 200 {} and the result would be lost.
            throw new InvalidOperationException(
                $"The ingress returned {type.FullName}, which has no public property or field, only private state: as JSON it would be {{}}, " +
                "and the client would get none of it. Fix: return a record or a class with public properties, or an IResult (Results.Json, Results.Ok).");
        }
        return context.Response.WriteAsJsonAsync(result, type, context.RequestAborted);
    }

    private static bool WouldWriteEmptyObject(Type type) =>
        JsonSerializerOptions.Web.GetTypeInfo(type) is { Kind: JsonTypeInfoKind.Object, Properties.Count: 0 }
        && type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length > 0;

    private static Task WriteTextAsync(HttpContext context, string text)
    {
        context.Response.ContentType ??= "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static Task WriteBytesAsync(HttpContext context, byte[] bytes)
    {
        context.Response.ContentType ??= "application/octet-stream";
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static async Task WriteTextStreamAsync(HttpContext context, IAsyncEnumerable<string> texts)
    {
        context.Response.ContentType ??= "text/plain; charset=utf-8";
        await foreach (var text in texts.WithCancellation(context.RequestAborted))
        {
            await context.Response.WriteAsync(text, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static async Task WriteJsonLinesAsync<T>(HttpContext context, IAsyncEnumerable<T> items)
    {
        context.Response.ContentType ??= "application/x-ndjson";
        await foreach (var item in items.WithCancellation(context.RequestAborted))
        {
            await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(item, JsonSerializerOptions.Web), context.RequestAborted);
            await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static Type? AsyncEnumerableItemType(Type type) => type.GetInterfaces()
        .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        ?.GetGenericArguments()[0];

    private static Func<HttpContext, object, Task> CreateValueStreamWriter(Type itemType)
    {
        var method = typeof(IngressResultWriter).GetMethod(nameof(WriteJsonLinesAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(itemType);
        return (context, items) => (Task)method.Invoke(null, [context, items])!;
    }
}
