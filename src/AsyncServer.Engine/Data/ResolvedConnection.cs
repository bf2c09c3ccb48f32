using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;
using AsyncServer.Diagnostics;

namespace AsyncServer.Data;

/// <summary>
/// A connection ready to open: provider plus the real connection string (secrets substituted), and a
/// display form with every secret removed. Only <see cref="Display"/> may reach logs, errors or objects.
/// </summary>
public sealed class ResolvedConnection
{
    private ResolvedConnection(DatabaseProvider provider, string connectionString, string display)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Display = display;
    }

    public DatabaseProvider Provider { get; }
    internal string ConnectionString { get; }
    public string Display { get; }

    public override string ToString() => $"{Provider}: {Display}";

    private static readonly Regex EnvPlaceholder = new(@"\$\{env:(?<name>[A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant);

    /// <param name="settings">The configuration's connection section.</param>
    /// <param name="where">Its JSON path, for errors.</param>
    /// <param name="baseDirectory">Relative SQLite file names resolve against it.</param>
    /// <param name="credential">Applied when the section says useCredential.</param>
    public static ResolvedConnection Resolve(ConnectionSettings? settings, string where, string baseDirectory, NetworkCredential? credential = null)
    {
        if (settings is null || string.IsNullOrWhiteSpace(settings.ConnectionString))
            throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                $"{where}.connectionString: a connection string is required.", where);
        var provider = DatabaseProviderNames.Parse(settings.Provider, where + ".provider");

        var text = EnvPlaceholder.Replace(settings.ConnectionString!, m =>
        {
            var name = m.Groups["name"].Value;
            return Environment.GetEnvironmentVariable(name)
                ?? throw new AsyncServerException(ErrorIds.SecretNotFound, ErrorKind.ObjectNotFound,
                    $"{where}.connectionString: environment variable '{name}' is not set.", name);
        });

        var builder = ConnectionStringCheck.Parse(text, where, provider);
        ConnectionStringCheck.Validate(builder, where, provider);
        if (provider == DatabaseProvider.Sqlite)
            ResolveSqliteFile(builder, baseDirectory);

        if (settings.UseCredential)
        {
            if (credential is null)
                throw new AsyncServerException(ErrorIds.SecretNotFound, ErrorKind.InvalidArgument,
                    $"{where}.useCredential is true but no -Credential was given.", where);
            var (userKey, passwordKey) = provider == DatabaseProvider.PostgreSql ? ("Username", "Password") : ("User ID", "Password");
            builder[userKey] = credential.UserName;
            builder[passwordKey] = credential.Password;
        }

        var real = builder.ConnectionString;
        return new ResolvedConnection(provider, real, Redact(real));
    }

    /// <summary>The same database with other connection settings (a provider's tuning); the display stays the same.</summary>
    public ResolvedConnection WithConnectionString(string connectionString) => new(Provider, connectionString, Display);

    /// <summary>For tests and providers that already hold a full connection string.</summary>
    public static ResolvedConnection FromString(DatabaseProvider provider, string connectionString)
        => new(provider, connectionString, Redact(connectionString));

    /// <summary>What may be shown of a connection string: the allow-listed keys only (<see cref="ConnectionStringDisplay"/>).</summary>
    public static string Redact(string connectionString) => ConnectionStringDisplay.Show(connectionString);

    /// <summary>Removes this connection's hidden values from a message (a driver's, a failure reason) before it is shown or stored.</summary>
    public string Scrub(string message) => ConnectionStringDisplay.Scrub(message, ConnectionString);

    private static void ResolveSqliteFile(DbConnectionStringBuilder builder, string baseDirectory)
    {
        foreach (var key in new[] { "Data Source", "DataSource", "Filename" })
        {
            if (builder.TryGetValue(key, out var value) && value is string file && file.Length > 0
                && file != ":memory:" && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && !Path.IsPathRooted(file))
            {
                builder[key] = Path.GetFullPath(Path.Combine(baseDirectory, file));
            }
        }
    }
}
