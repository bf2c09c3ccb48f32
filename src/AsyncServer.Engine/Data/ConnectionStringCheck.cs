using System.Data.Common;
using AsyncServer.Diagnostics;

namespace AsyncServer.Data;

/// <summary>
/// Proves a connection string acceptable to its driver when it is resolved, before any connection is opened
/// (issue 12, point 16): a value that is not a number (Connect Timeout=abc), a keyword the driver does not know,
/// or a URI instead of key=value pairs becomes a ConfigurationInvalid error naming the JSON path and which
/// setting is wrong, never the driver's raw FormatException and never the string or a value that is not safe
/// to show (point 6).
/// </summary>
internal static class ConnectionStringCheck
{
    /// <summary>Parses the configured text; a URI or a string that is not key=value pairs is refused clearly.</summary>
    public static DbConnectionStringBuilder Parse(string text, string where, DatabaseProvider provider)
    {
        var trimmed = text.TrimStart();
        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && (trimmed.IndexOf('=') < 0 || trimmed.IndexOf('=') > scheme))
            throw Invalid(where, $"is a URI ({trimmed[..scheme]}://...); write it as key=value pairs, for example {Example(provider)}");
        try { return new DbConnectionStringBuilder { ConnectionString = text }; }
        catch (ArgumentException)
        {
            throw Invalid(where,
                $"is not a list of key=value pairs separated by ';' (for example {Example(provider)}); quote a value that holds ';' or '=' with double quotes");
        }
    }

    /// <summary>Hands every setting to the driver's own builder, one by one, so the error can say which one it refused.</summary>
    public static void Validate(DbConnectionStringBuilder parsed, string where, DatabaseProvider provider)
    {
        var driver = ConnectionDrivers.BuilderFor(provider);
        var keys = parsed.Keys.Cast<string>().ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            try { driver[key] = parsed[key]; }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException
                or NotSupportedException or InvalidOperationException)
            {
                var badValue = ex is FormatException or InvalidCastException or OverflowException
                    || ex.InnerException is FormatException or InvalidCastException or OverflowException
                    || (ex is ArgumentException && KnowsKeyword(driver, key));
                var which = ConnectionStringDisplay.IsSafeKey(key)
                    ? $"'{key}'"
                    : $"setting {i + 1} of {keys.Count} (its name is not shown: it is not a setting known to be safe to show)";
                throw Invalid(where, badValue
                    ? $"the {provider} driver refuses the value of {which}: it is not a valid value for that setting"
                    : $"the {provider} driver does not know the keyword of {which}; check its spelling against the driver's connection string keywords");
            }
        }
    }

    private static bool KnowsKeyword(DbConnectionStringBuilder driver, string key)
    {
        try { return driver.ContainsKey(key) || driver.Keys.Cast<string>().Contains(key, StringComparer.OrdinalIgnoreCase); }
        catch (ArgumentException) { return false; }
    }

    private static string Example(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.PostgreSql => "Host=hq;Port=5432;Database=ax;Username=async;Password=${env:HQ_PASSWORD}",
        DatabaseProvider.SqlServer => "Server=hq;Database=AX;Integrated Security=true;Encrypt=true",
        _ => "Data Source=hq.db",
    };

    private static AsyncServerException Invalid(string where, string why)
        => new(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument, $"{where}.connectionString: {why}.", $"{where}.connectionString");
}
