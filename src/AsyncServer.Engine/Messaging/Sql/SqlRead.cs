using System.Data.Common;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// A read written once by the part that owns it (its text, its values, how a row becomes a record), which another part
/// may run on a connection of its own: the endpoint runs the pending listing in the same round trip as its credential
/// check (EndpointStore.AuthenticateAndReadAsync). Values are bound through the provider's <see cref="SqlConnector.Parameter"/>.
/// </summary>
public sealed record SqlRead<T>(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters, Func<DbDataReader, T> Map);
