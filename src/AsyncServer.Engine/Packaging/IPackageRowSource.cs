using System.Buffers;

namespace AsyncServer.Packaging;

/// <summary>
/// The rows of one subjob read from HQ, each already encoded as a package line (docs/package-format.md: one
/// JSON array, no newline). The package writer only copies lines, so a provider whose database can hand out a
/// cheaper wire format (PostgreSQL's binary COPY) encodes straight from it, and the others encode the values of
/// a data reader (<see cref="DataReaderRowSource"/>). Either way a line is byte for byte what
/// <see cref="RowCodec"/> writes for the same values.
/// </summary>
public interface IPackageRowSource : IAsyncDisposable
{
    /// <summary>Moves to the next row; false when there are no more.</summary>
    ValueTask<bool> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the current row's package line (no newline) to <paramref name="output"/>, the package writer's own
    /// buffer, so a line is encoded where it is compressed from. Returns true for an upsert (<c>["U", ...]</c>),
    /// false for a delete by key (<c>["D", ...]</c>).
    /// </summary>
    bool WriteLine(IBufferWriter<byte> output);
}
