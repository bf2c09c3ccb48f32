using System.Buffers;
using System.Data.Common;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.ChangeTracking;

/// <summary>
/// Package lines from a change reader (column 0 the upsert flag, then the query's columns), encoded by
/// <see cref="RowCodec"/>: the row source of every provider that has no cheaper wire format than its data reader.
/// </summary>
public sealed class DataReaderRowSource : IPackageRowSource
{
    private readonly DbDataReader _reader;
    private readonly LogicalType[] _types;
    private readonly int[] _keyIndexes;
    private readonly Utf8JsonWriter _json = new(new ArrayBufferWriter<byte>(1), RowCodec.WriterOptions); // re-pointed at each row's output

    private readonly RowCodec.ValueShortcut? _shortcut;

    public DataReaderRowSource(DbDataReader reader, ExtractionQuery query) : this(reader, query, null) { }

    /// <param name="shortcut">The provider's own reading of values, tried before RowCodec's general one.</param>
    internal DataReaderRowSource(DbDataReader reader, ExtractionQuery query, RowCodec.ValueShortcut? shortcut)
    {
        _reader = reader;
        _shortcut = shortcut;
        _types = query.Columns.Select(c => c.Type).ToArray();
        _keyIndexes = KeyIndexes(query);
    }

    /// <summary>Where each key column is among the query's columns, in key order (as delete rows carry them).</summary>
    internal static int[] KeyIndexes(ExtractionQuery query)
    {
        var columns = query.Columns.ToList();
        return query.KeyColumns.Select(k => columns.FindIndex(c => c.Name == k.Name)).ToArray();
    }

    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken) => new(_reader.ReadAsync(cancellationToken));

    public bool WriteLine(IBufferWriter<byte> output)
    {
        _json.Reset(output);
        var upsert = RowCodec.WriteRow(_json, _reader, _types, _keyIndexes, _shortcut);
        _json.Flush();
        return upsert;
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
    }
}
