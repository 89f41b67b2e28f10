using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serve.Cluster;

/// <summary>
/// Orleans' categories at Warning, unless the program's own logging configuration says otherwise: a client's start
/// otherwise writes its options at Information, about a hundred lines, before the program's first. Warnings and errors
/// pass. The rule goes first among the filter rules, so that any rule for <c>Orleans</c> (or a category under it) that
/// the program or its configuration (<c>Logging:LogLevel:Orleans</c>) sets wins over it; a <c>Default</c> level does not.
/// </summary>
internal static class QuietOrleansLog
{
    internal const string Category = "Orleans";

    public static void AddTo(IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(o => o.Rules.Insert(0, new LoggerFilterRule(null, Category, LogLevel.Warning, null)));
}
