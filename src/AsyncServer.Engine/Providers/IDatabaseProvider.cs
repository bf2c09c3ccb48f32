using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers;

/// <summary>
/// One database kind (SQLite, PostgreSQL, SQL Server) and every seam it implements. The engine reaches providers
/// through <see cref="EngineContext"/> only; nothing outside Providers/ names a provider's types.
/// </summary>
public interface IDatabaseProvider
{
    DatabaseProvider Kind { get; }

    /// <summary>How the provider quotes identifiers (architecture rule 6).</summary>
    SqlDialect Dialect { get; }

    IChangeSource OpenChangeSource(ResolvedConnection connection);

    /// <param name="time">The clock of session timestamps; lease expiry follows the database server's clock.</param>
    IMessageStore OpenMessageStore(ResolvedConnection connection, TimeProvider? time = null);

    IChannelTarget OpenChannelTarget(ResolvedConnection connection);

    /// <summary>The HQ status tables that Move-AsyncStatusMessage fills.</summary>
    IStatusArchive OpenStatusArchive(ResolvedConnection hqConnection);

    /// <summary>
    /// The connector the SQL parts of the message database use (connections, transactions, the lock, how values are
    /// stored): a store of one more operation family, such as the endpoint's, is written once over it.
    /// </summary>
    SqlConnector OpenConnector(ResolvedConnection connection);

    /// <summary>The local file that holds the database, for providers that keep one (SQLite); null otherwise.</summary>
    string? DatabaseFile(ResolvedConnection connection);

    /// <summary>The driver's connection-string builder, empty: it knows the driver's keywords and their values.</summary>
    DbConnectionStringBuilder NewConnectionStringBuilder();

    /// <summary>
    /// The same database tuned for a process that runs the same few short statements very often (the endpoint's polls);
    /// the connection itself where the provider has nothing to tune.
    /// </summary>
    ResolvedConnection ForFrequentStatements(ResolvedConnection connection);
}
