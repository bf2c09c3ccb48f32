using System.Data.Common;
using System.Globalization;

namespace AsyncServer.Messaging.Sql;

/// <summary>Channel activity: what the health of every store is derived from, read in one statement.</summary>
public sealed partial class SqlMessageStore
{
    public Task<IReadOnlyList<ChannelActivity>> ReadChannelActivityAsync(CancellationToken cancellationToken)
        => RunAsync<IReadOnlyList<ChannelActivity>>(async w => await w.ReadAsync(Sql.ChannelActivity, ReadActivity, StatusParameters())
            .ConfigureAwait(false), cancellationToken, transaction: false);

    private static (string, object?)[] StatusParameters() =>
    [
        ("@available", nameof(SessionStatus.Available)), ("@requested", nameof(SessionStatus.Requested)),
        ("@downloaded", nameof(SessionStatus.Downloaded)), ("@applied", nameof(SessionStatus.Applied)),
        ("@downloadFailed", nameof(SessionStatus.DownloadFailed)), ("@applyFailed", nameof(SessionStatus.ApplyFailed)),
        ("@suspended", nameof(SessionStatus.Suspended)),
    ];

    private ChannelActivity ReadActivity(DbDataReader r)
    {
        int Count(int i) => r.IsDBNull(i) ? 0 : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);
        long? Id(int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
        DateTimeOffset? Time(int i) => r.IsDBNull(i) ? null : connector.ReadTime(r, i);
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new ChannelActivity(r.GetString(0), Count(1), Id(2), Time(3), Count(4), Count(5), Id(6), Text(7), Text(8), Id(9), Time(10),
            Time(11), Time(12), Text(13));
    }
}
