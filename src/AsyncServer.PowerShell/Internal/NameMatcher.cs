using System.Management.Automation;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// The one rule for names of configured things (schedules, jobs, data groups, channel databases) in cmdlets
/// that select by name (Get-*): a name with wildcard characters selects every configured name it matches,
/// silently none; a literal name the configuration does not define is a non-terminating ObjectNotFound error
/// naming it and where it was looked for. docs/architecture.md, "Cmdlet conventions".
/// </summary>
internal static class NameMatcher
{
    /// <summary>
    /// The configured names the patterns select, in configuration order; null when no patterns were given (no
    /// filter). An empty result means the filter selects nothing.
    /// </summary>
    public static List<string>? Resolve(Cmdlet cmdlet, IReadOnlyList<string>? patterns, IEnumerable<string> configured,
        string kind, string jsonPath, string errorId)
    {
        // An empty name is no name: a session without a channel database pipes ChannelDatabase = "" in.
        var given = patterns?.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        if (given is null || given.Count == 0) return null;
        var names = configured.ToList();
        var chosen = new List<string>();
        foreach (var pattern in given)
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
            var matches = names.Where(wildcard.IsMatch).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"{kind} '{pattern}' is not defined in the configuration's {jsonPath}."),
                    errorId, ErrorCategory.ObjectNotFound, pattern));
            chosen.AddRange(matches.Where(m => !chosen.Contains(m, StringComparer.OrdinalIgnoreCase)));
        }
        return chosen;
    }
}
