namespace Serve.Replicas;

/// <summary>
/// A stream whose every step runs as a piece of a replica's <see cref="ReplicaTurns"/>: each MoveNextAsync of the user's
/// enumerator (and its disposal) is user code entered anew, so each waits its turn, as a call does.
/// </summary>
internal sealed class TurnsStream<T>(ReplicaTurns turns, IAsyncEnumerable<T> inner) : IAsyncEnumerable<T>
{
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new Steps(turns, inner.GetAsyncEnumerator(cancellationToken));

    private sealed class Steps(ReplicaTurns turns, IAsyncEnumerator<T> inner) : IAsyncEnumerator<T>
    {
        private static readonly Func<object?, ValueTask<bool>> Next = static state => ((IAsyncEnumerator<T>)state!).MoveNextAsync();

        private static readonly Func<object?, ValueTask<bool>> End = static async state =>
        {
            await ((IAsyncEnumerator<T>)state!).DisposeAsync();
            return true;
        };

        public T Current => inner.Current;

        // Lent: Orleans steps a grain's stream in the grain's own turns, a thread its pieces may run on.
        public ValueTask<bool> MoveNextAsync() => turns.RunAsync(Next, inner, lend: true);

        public async ValueTask DisposeAsync() => await turns.RunAsync(End, inner, lend: true);
    }
}
