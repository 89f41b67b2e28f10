using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Http;

/// <summary>Writes what an <see cref="IHttpIngress"/> returned, by the rules its documentation gives.</summary>
internal static class IngressResultWriter
{
    private static readonly ConcurrentDictionary<Type, Func<HttpContext, object, Task>> ValueStreams = new();

    public static Task WriteAsync(HttpContext context, object? result) => result switch
    {
        IResult executable => executable.ExecuteAsync(context),
        string text => WriteTextAsync(context, text),
        byte[] bytes => WriteBytesAsync(context, bytes),
        IAsyncEnumerable<string> texts => WriteTextStreamAsync(context, texts),
        IAsyncEnumerable<object?> items => WriteJsonLinesAsync(context, items),
        null => context.Response.WriteAsJsonAsync<object?>(null, context.RequestAborted),
        _ when AsyncEnumerableItemType(result.GetType()) is { } itemType => ValueStreams.GetOrAdd(itemType, CreateValueStreamWriter)(context, result),
        _ => context.Response.WriteAsJsonAsync(result, result.GetType(), context.RequestAborted),
    };

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
