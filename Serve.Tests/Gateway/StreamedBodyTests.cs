using System.Net;
using System.Security.Cryptography;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>Request bodies that stream from the client through the gateway to the replica, at constant memory.</summary>
[Trait("Category", "Cluster")]
[Collection(HeapMeasuringCollection.Name)]
public sealed class StreamedBodyTests(UploadFixture fixture) : IClassFixture<UploadFixture>
{
    [Fact]
    public async Task Forward_ChunkedUploadOf200MB_HashesRightWithTheGatewaysMemoryFlat()
    {
        const long size = 200L * 1024 * 1024;
        // Gateway, silo, replica and client share this process: what the heap holds live (after a full collection,
        // so that the chunks already forwarded, garbage, do not count) is sampled as the body goes through, against
        // the same before it. Held whole, as before streaming, the body alone would add 200 MB.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var samples = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
                samples++;
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var content = new GeneratedContent(size);

        using var response = await fixture.Http.PostAsync("/body?kind=sha256", content);
        await sampling.CancelAsync();
        await sampler;

        var answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        Assert.Equal($"{content.Hash} {size}", answer);
        Assert.True(samples >= 3, $"{samples} samples of the heap during the upload");
        Assert.True(peak < 64L * 1024 * 1024, $"the live heap grew by {peak:N0} bytes while {size:N0} bytes went through ({samples} samples)");
    }

    /// <summary>A chunked body of pseudo-random bytes made as it is sent, hashed on the way.</summary>
    internal sealed class GeneratedContent(long size) : HttpContent
    {
        public string Hash { get; private set; } = "";

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var random = new Random(14);
            var block = new byte[60 * 1024];
            for (long sent = 0; sent < size; sent += block.Length)
            {
                var part = block.AsMemory(0, (int)Math.Min(block.Length, size - sent));
                random.NextBytes(part.Span);
                hash.AppendData(part.Span);
                await stream.WriteAsync(part);
            }
            Hash = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
