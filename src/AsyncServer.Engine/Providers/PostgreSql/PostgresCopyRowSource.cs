using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using AsyncServer.ChangeTracking;
using AsyncServer.Packaging;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Package lines straight from <c>COPY (SELECT ...) TO STDOUT (FORMAT BINARY)</c> on the snapshot's connection.
/// The server sends each value in its binary form, the cheapest for it to produce, and
/// <see cref="PostgresPackageLineEncoder"/> turns the bytes into the line, so a full sync costs the client
/// little more than compressing the package (docs/benchmarks.md).
/// </summary>
internal sealed class PostgresCopyRowSource : IPackageRowSource
{
    private readonly NpgsqlRawCopyStream _stream;
    private readonly PostgresBinaryCopyReader _tuples;
    private readonly PostgresPackageLineEncoder _encoder;
    private bool _finished;

    private PostgresCopyRowSource(NpgsqlRawCopyStream stream, ExtractionQuery query)
    {
        _stream = stream;
        _tuples = new PostgresBinaryCopyReader(stream, "HQ table " + query.Table.DisplayName);
        _encoder = new PostgresPackageLineEncoder(query);
    }

    public static async Task<PostgresCopyRowSource> StartAsync(NpgsqlConnection conn, string copyToStdout, ExtractionQuery query, CancellationToken ct)
        => new(await conn.BeginRawBinaryCopyAsync(copyToStdout, ct).ConfigureAwait(false), query);

    public bool WriteLine(IBufferWriter<byte> output)
    {
        var upsert = _encoder.Encode(_tuples);
        var line = _encoder.Line;
        line.CopyTo(output.GetSpan(line.Length));
        output.Advance(line.Length);
        return upsert;
    }

    [SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly",
        Justification = "PostgresBinaryCopyReader.ReadAsync returns a plain result or an async method's (unpooled) task, both safe to read after "
                        + "IsCompletedSuccessfully and then await once; the synchronous fast path is the point of this method.")]
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (_finished) return new ValueTask<bool>(false);
        var next = _tuples.ReadAsync(cancellationToken);
        // A tuple already in the buffer completes synchronously: no async state machine per row.
        return next.IsCompletedSuccessfully && next.Result ? new ValueTask<bool>(true) : EndOrWaitAsync(next, cancellationToken);
    }

    private async ValueTask<bool> EndOrWaitAsync(ValueTask<bool> next, CancellationToken cancellationToken)
    {
        if (await next.ConfigureAwait(false)) return true;
        await _tuples.DrainAsync(cancellationToken).ConfigureAwait(false);
        _finished = true;
        return false;
    }

    /// <summary>Disposing before the end cancels the COPY (Npgsql), leaving the connection usable for rollback.</summary>
    public ValueTask DisposeAsync()
    {
        _encoder.Dispose();
        return _stream.DisposeAsync();
    }
}
