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

    /// <summary>
    /// The same database, for a process that runs the same few short statements very often (the endpoint: a credential read
    /// and a listing per store poll). PostgreSQL (settings the connection string names itself are kept):
    /// - a statement is prepared after a few uses (Npgsql's Max Auto Prepare), so the server parses and plans it once per
    ///   pooled connection, not on every poll;
    /// - a connection going back to the pool is not reset (No Reset On Close): the reset is seven statements the server runs
    ///   before the next use, more work than a poll's own. Nothing the engine runs on the message database leaves session
    ///   state behind: its locks are transaction locks, its settings SET LOCAL, and an open transaction is still rolled back;
    /// - the pool holds at most <see cref="FrequentStatementsPoolSize"/> connections (Npgsql's default is 100): a poll's
    ///   statements take a fraction of a millisecond, and a hundred server processes taking turns on a few cores cost more
    ///   in switching than they add (PostgreSQL CPU per poll about a quarter lower with 12; docs/benchmarks.md). A request
    ///   finding every connection busy waits for one (the connection timeout) instead of adding a server process.
    /// Other providers are returned as they are.
    /// </summary>
    public ResolvedConnection ForFrequentStatements()
    {
        if (Provider != DatabaseProvider.PostgreSql) return this;
        // Npgsql's builder says whether it knows a keyword, not whether the text sets it: look at the text's own keys.
        var given = new DbConnectionStringBuilder { ConnectionString = ConnectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        if (!given.Contains("MaxAutoPrepare")) builder.MaxAutoPrepare = 32;
        if (!given.Contains("NoResetOnClose")) builder.NoResetOnClose = true;
        if (!given.Contains("MaximumPoolSize") && !given.Contains("MaxPoolSize")) builder.MaxPoolSize = FrequentStatementsPoolSize;
        return new ResolvedConnection(Provider, builder.ConnectionString, Display);
    }

    /// <summary>Eight connections per processor, at least 16: what <see cref="ForFrequentStatements"/> pools at most.</summary>
    public static int FrequentStatementsPoolSize => Math.Max(16, 8 * Environment.ProcessorCount);

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
