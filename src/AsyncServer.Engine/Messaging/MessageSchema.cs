namespace AsyncServer.Messaging;

/// <summary>
/// The message database schema version. Each provider keeps an ordered list of migrations, one per
/// version; Initialize-AsyncMessageDatabase applies the missing ones in one transaction each.
/// docs/message-database.md documents every table.
/// </summary>
public static class MessageSchema
{
    public const int CurrentVersion = 2;
}
