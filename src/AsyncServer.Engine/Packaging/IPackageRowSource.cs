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

    /// <summary>The current row's package line. Valid until the next <see cref="ReadAsync"/>.</summary>
    ReadOnlySpan<byte> Line { get; }

    /// <summary>True for an upsert (<c>["U", ...]</c>), false for a delete by key (<c>["D", ...]</c>).</summary>
    bool IsUpsert { get; }
}
