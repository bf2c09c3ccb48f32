using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using AsyncServer.Configuration;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Tab completion of schedule, job, data group and channel database names from the configuration the
/// command would use (-ConfigurationPath if already typed, else the default). Never throws: a missing or
/// broken configuration just completes nothing.
/// </summary>
public abstract class ConfigurationNameCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<(string Name, string? Description)> Names(AsyncServerConfiguration config);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (LoadConfiguration(fakeBoundParameters) is not { } config) yield break;
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var (name, description) in Names(config))
        {
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var text = name.Any(c => char.IsWhiteSpace(c) || c is '\'' or ',' or ';') ? $"'{name.Replace("'", "''")}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, description ?? name);
        }
    }

    /// <summary>The configuration the command would use, or null when it is missing or broken (completion then offers nothing).</summary>
    internal static AsyncServerConfiguration? LoadConfiguration(IDictionary fakeBoundParameters)
    {
        try
        {
            var path = fakeBoundParameters["ConfigurationPath"] as string;
            if (path is null && Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } env) path = env;
            path ??= "asyncserver.json";
            // Relative paths are relative to PowerShell's current location, not the process's.
            // Completers run on the pipeline thread, where a script block sees the session's state.
            var location = ScriptBlock.Create("$executionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke()
                .FirstOrDefault()?.BaseObject as string;
            if (location is not null && !Path.IsPathRooted(path)) path = Path.Combine(location, path);
            return ConfigurationLoader.Load(path);
        }
        catch (Exception)
        {
            return null;
        }
    }
}

public sealed class ScheduleNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration config)
        => config.Schedules.Select(s => (s.Name, (string?)$"{s.Name}: jobs {string.Join(", ", s.Jobs)} to {string.Join(", ", s.DataGroups)}"));
}

public sealed class JobNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration config) => config.Jobs.Select(j => (j.Id, j.Name));
}

public sealed class DataGroupNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration config) => config.DataGroups.Select(g => (g.Id, g.Name));
}

public sealed class ChannelDatabaseNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration config)
        => config.DataGroups.SelectMany(g => g.ChannelDatabases.Select(d => (d.Id, (string?)$"{d.Id} ({g.Id})")));
}

/// <summary>The HQ tables the configuration's subjobs read (Enable-AsyncChangeTracking -Table).</summary>
public sealed class HqTableNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration config)
        => config.Subjobs.GroupBy(s => s.HqTable, StringComparer.OrdinalIgnoreCase)
            .Select(g => (g.Key, (string?)$"{g.Key} (subjob {string.Join(", ", g.Select(s => s.Id))})"));
}

/// <summary>
/// Session ids from the message database, newest first (Get-, Stop-, Restart-AsyncSession -Id), each described
/// by its job, data group and status. Never throws: an unreachable message database completes nothing.
/// </summary>
public sealed class SessionIdCompleter : IArgumentCompleter
{
    /// <summary>How many of the newest sessions are offered.</summary>
    private const int Newest = 50;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (ConfigurationNameCompleter.LoadConfiguration(fakeBoundParameters) is not { } config) return [];
        IReadOnlyList<Messaging.DownloadSession> sessions;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var context = EngineContext.Create(config);
            var query = new Messaging.SessionQuery { NewestFirst = true, Limit = Newest, IncludeNoData = true };
            sessions = Task.Run(() => new Messaging.SessionBrowser(context).GetAsync(query, timeout.Token)).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            return [];
        }
        var prefix = wordToComplete.Trim('\'', '"');
        return sessions.GroupBy(s => s.Id)
            .Where(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture).StartsWith(prefix, StringComparison.Ordinal))
            .Select(g =>
            {
                var first = g.First();
                var where = string.Join(", ", g.Select(s => s.ChannelDatabase).Where(d => d.Length > 0));
                var text = g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new CompletionResult(text, text, CompletionResultType.ParameterValue,
                    $"Session {g.Key}: job {first.Job}, {first.DataGroup}{(where.Length > 0 ? " at " + where : "")}: " +
                    string.Join(", ", g.Select(s => s.Status).Distinct()));
            })
            .ToList();
    }
}
