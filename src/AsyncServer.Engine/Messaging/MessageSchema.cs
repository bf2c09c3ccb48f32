using AsyncServer.Diagnostics;

namespace AsyncServer.Messaging;

/// <summary>
/// The message database schema version. Each provider keeps an ordered list of migrations, one per
/// version; Initialize-AsyncMessageDatabase applies the missing ones in one transaction each.
/// docs/message-database.md documents every table.
/// </summary>
public static class MessageSchema
{
    public const int CurrentVersion = 4;

    /// <summary>Throws the error that tells the operator what to do unless <paramref name="version"/> is current (0 = no schema).</summary>
    /// <param name="database">The database's redacted display form.</param>
    public static void EnsureCurrent(int version, string database)
    {
        if (version == 0) throw NotInitialized(database);
        if (version < CurrentVersion)
            throw new AsyncServerException(ErrorIds.MessageDatabaseOutdated, ErrorKind.InvalidOperation,
                $"Message database {database} has schema version {version}; run Initialize-AsyncMessageDatabase to upgrade it to {CurrentVersion}.", database);
        if (version > CurrentVersion) throw TooNew(version, database);
    }

    public static AsyncServerException NotInitialized(string database) => new(ErrorIds.MessageDatabaseNotInitialized, ErrorKind.ResourceUnavailable,
        $"Message database {database} is not initialized; run Initialize-AsyncMessageDatabase.", database);

    /// <summary>A database upgraded by a newer module: this one must not write to it.</summary>
    public static AsyncServerException TooNew(int version, string database) => new(ErrorIds.MessageDatabaseTooNew, ErrorKind.InvalidOperation,
        $"Message database {database} has schema version {version}, newer than this module's {CurrentVersion}; update the module.", database);
}
