namespace Serve.Samples.Multiplexed;

/// <summary>The labelled examples each model id of the multiplexed sample is trained on.</summary>
public static class TrainingSets
{
    /// <summary>The model ids, each a task with its examples.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Text, string Label)>> ByModel { get; } = new Dictionary<string, IReadOnlyList<(string, string)>>
    {
        ["sentiment"] =
        [
            ("I love this product, it works great", "positive"), ("what a wonderful fast delivery", "positive"),
            ("excellent quality and happy with it", "positive"), ("great support, very helpful people", "positive"),
            ("this is terrible and broke at once", "negative"), ("awful experience, I hate it", "negative"),
            ("slow shipping and bad packaging", "negative"), ("sad to say it does not work at all", "negative"),
        ],
        ["spam"] =
        [
            ("win a free prize now click here", "spam"), ("cheap pills limited offer buy now", "spam"),
            ("you have won money claim your reward", "spam"), ("urgent account verify your password link", "spam"),
            ("are we still meeting for lunch tomorrow", "ham"), ("here are the notes from the meeting", "ham"),
            ("can you review my pull request today", "ham"), ("the report is attached, thanks", "ham"),
        ],
        ["topic"] =
        [
            ("the team won the match in the final minute", "sport"), ("the striker scored two goals", "sport"),
            ("the central bank raised interest rates", "finance"), ("stocks fell as markets opened lower", "finance"),
            ("the new phone has a faster chip", "technology"), ("the software update fixes a security bug", "technology"),
            ("the election results were announced today", "politics"), ("parliament passed the new law", "politics"),
        ],
        ["urgency"] =
        [
            ("the server is down and customers cannot log in", "urgent"), ("production outage please help now", "urgent"),
            ("data loss in the main database", "urgent"), ("security breach detected on the gateway", "urgent"),
            ("small typo on the about page", "routine"), ("please update the logo when you can", "routine"),
            ("question about next month's invoice", "routine"), ("feature idea for a later release", "routine"),
        ],
    };
}
