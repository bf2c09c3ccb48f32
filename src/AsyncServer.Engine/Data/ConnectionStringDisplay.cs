using System.Data.Common;

namespace AsyncServer.Data;

/// <summary>
/// How a connection string may be shown (issue 12, point 6). An allow-list: only keys known to hold no secret
/// (where the server is, which database, which user, timeouts, TLS and pool settings) are shown with their
/// values. Every other key, whatever it is called (Password, SSL Password, a misspelled Passwrd, a key a future
/// driver adds), is left out, and so is a string that does not parse. <see cref="Scrub"/> removes the hidden values
/// from any text, for driver messages that might repeat them.
/// </summary>
public static class ConnectionStringDisplay
{
    private static readonly HashSet<string> SafeKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        // where and what
        "host", "server", "data source", "datasource", "address", "addr", "network address", "port", "database",
        "initial catalog", "filename", "mode", "cache", "search path", "failover partner",
        // who (the user name, never its password)
        "user id", "userid", "uid", "user", "username", "user name", "integrated security", "trusted_connection",
        "authentication",
        // how long and how
        "timeout", "connect timeout", "connection timeout", "command timeout", "default timeout", "keepalive",
        "tcp keepalive", "connection lifetime", "connection idle lifetime", "load balance timeout",
        "ssl mode", "sslmode", "encrypt", "trust server certificate", "trustservercertificate", "host name in certificate",
        "pooling", "minimum pool size", "maximum pool size", "min pool size", "max pool size", "multiple active result sets",
        "multisubnetfailover", "multi subnet failover", "application intent", "application name", "applicationname",
        "packet size", "workstation id", "current language", "foreign keys", "recursive triggers",
        "read buffer size", "write buffer size", "target session attributes", "server compatibility mode",
    };

    /// <summary>True for a key whose value may be shown.</summary>
    public static bool IsSafeKey(string key) => SafeKeys.Contains(key.Trim());

    /// <summary>The safe part of a connection string, as key=value pairs; what is left out is counted, never named.</summary>
    public static string Show(string connectionString)
    {
        DbConnectionStringBuilder parsed;
        try { parsed = new DbConnectionStringBuilder { ConnectionString = connectionString }; }
        catch (ArgumentException) { return "(connection string not shown: it does not parse)"; }
        var shown = new DbConnectionStringBuilder();
        var hidden = 0;
        foreach (string key in parsed.Keys)
        {
            if (IsSafeKey(key) && parsed[key] is { } value) shown[key] = value;
            else hidden++;
        }
        var text = shown.ConnectionString;
        if (hidden > 0) text += (text.Length > 0 ? ";" : "") + $"({hidden} more setting(s) not shown)";
        return text;
    }

    /// <summary>
    /// Replaces in <paramref name="text"/> every value of a key that is not safe to show (and, for a string that does
    /// not parse, every part of it long enough to be a secret). For messages of drivers and other components that
    /// may repeat what they were given.
    /// </summary>
    public static string Scrub(string text, string connectionString)
    {
        if (string.IsNullOrEmpty(text) || string.IsNullOrEmpty(connectionString)) return text;
        IEnumerable<string> secrets;
        try
        {
            var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
            secrets = parsed.Keys.Cast<string>().Where(k => !IsSafeKey(k))
                .Select(k => Convert.ToString(parsed[k], System.Globalization.CultureInfo.InvariantCulture) ?? "")
                .Concat(parsed.Keys.Cast<string>().Where(k => !IsSafeKey(k)));
        }
        catch (ArgumentException)
        {
            secrets = connectionString.Split([';', '=', ' ', ':', '/', '@', ',', '\'', '"'], StringSplitOptions.RemoveEmptyEntries).Append(connectionString);
        }
        foreach (var secret in secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
            text = text.Replace(secret, "********", StringComparison.OrdinalIgnoreCase);
        return text;
    }
}
