namespace Serve.Tests.Cluster;

/// <summary>
/// A temporary folder on the disk a test shares with its worker processes: <see cref="WorkloadIngress"/> writes lines to
/// files in it (<c>?hold=</c>, <c>?mark=</c>, <c>?read=</c>), and the test polls them, each wait within its patience.
/// </summary>
internal sealed class WorkerFiles(string prefix, TimeSpan patience) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory(prefix).FullName;

    public string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Polls <paramref name="path"/> until it has <paramref name="count"/> lines; those lines.</summary>
    public Task<string[]> WaitForLinesAsync(string path, int count) => WaitForAsync(path, lines => lines.Length >= count);

    /// <summary>Polls <paramref name="path"/> until its lines satisfy <paramref name="done"/>; those lines.</summary>
    public async Task<string[]> WaitForAsync(string path, Func<string[], bool> done)
    {
        using var deadline = new CancellationTokenSource(patience);
        while (true)
        {
            if (File.Exists(path) && await File.ReadAllLinesAsync(path, deadline.Token) is { } lines && done(lines))
            {
                return lines;
            }
            await Task.Delay(20, deadline.Token);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
