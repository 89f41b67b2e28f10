namespace Serve.Benchmarks.Multiplexing;

/// <summary>A seeded sequence of model ids whose popularity follows Zipf's law: model k is asked for in proportion to 1/k^s.</summary>
internal static class ZipfSequence
{
    public static string[] Create(int models, double exponent, int length, int seed)
    {
        var weights = Enumerable.Range(1, models).Select(k => 1 / Math.Pow(k, exponent)).ToArray();
        var total = weights.Sum();
        var cumulative = new double[models];
        var sum = 0.0;
        for (var k = 0; k < models; k++)
        {
            sum += weights[k] / total;
            cumulative[k] = sum;
        }
        var random = new Random(seed);
        var sequence = new string[length];
        for (var i = 0; i < length; i++)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble());
            sequence[i] = $"model-{(index < 0 ? Math.Min(~index, models - 1) : index) + 1:00}";
        }
        return sequence;
    }
}
