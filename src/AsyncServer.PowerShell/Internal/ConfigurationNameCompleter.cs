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
        AsyncServerConfiguration config;
        try
        {
            var path = fakeBoundParameters["ConfigurationPath"] as string;
            if (path is null && Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } env) path = env;
            path ??= "asyncserver.json";
            // Relative paths are relative to PowerShell's current location, not the process's.
            // Completers run on the pipeline thread, where a script block sees the session's state.
            var location = ScriptBlock.Create("$executionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke().FirstOrDefault()?.BaseObject as string;
            if (location is not null && !Path.IsPathRooted(path)) path = Path.Combine(location, path);
            config = ConfigurationLoader.Load(path);
        }
        catch (Exception)
        {
            yield break;
        }
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var (name, description) in Names(config))
        {
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var text = name.Any(c => char.IsWhiteSpace(c) || c is '\'' or ',' or ';') ? $"'{name.Replace("'", "''")}'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, description ?? name);
        }
    }
}

public sealed class ScheduleNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration c)
        => c.Schedules.Select(s => (s.Name, (string?)$"{s.Name}: jobs {string.Join(", ", s.Jobs)} to {string.Join(", ", s.DataGroups)}"));
}

public sealed class JobNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration c) => c.Jobs.Select(j => (j.Id, j.Name));
}

public sealed class DataGroupNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration c) => c.DataGroups.Select(g => (g.Id, g.Name));
}

public sealed class ChannelDatabaseNameCompleter : ConfigurationNameCompleter
{
    protected override IEnumerable<(string, string?)> Names(AsyncServerConfiguration c)
        => c.DataGroups.SelectMany(g => g.ChannelDatabases.Select(d => (d.Id, (string?)$"{d.Id} ({g.Id})")));
}
