using System.Data.Common;

namespace AsyncServer.Data;

/// <summary>
/// Runs a command once and disposes it: the one "execute with parameters" pattern behind every provider's connection
/// helpers and the SQL parts' <c>SqlWork</c> (each provider only makes its command and binds its values).
/// </summary>
internal static class DbCommands
{
    public static async Task<int> ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first column of the first row; null for no row or a database null.</summary>
    public static async Task<object?> ScalarAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return result is DBNull ? null : result;
        }
    }
}
