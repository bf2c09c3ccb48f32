using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Upload;

namespace AsyncServer.Endpoint;

/// <summary>How receiving one part of an upload went.</summary>
public enum UploadReceiptKind
{
    /// <summary>The part was stored; more is expected (202).</summary>
    Partial,
    /// <summary>The whole package arrived, was verified and the session is Uploaded (200).</summary>
    Complete,
    /// <summary>The session already has this package (a repeat: 200, nothing changed).</summary>
    AlreadyUploaded,
    /// <summary>The part does not start where the server's copy ends (409 with receivedBytes).</summary>
    OffsetMismatch,
    /// <summary>The session is not Started, or it has another package (409).</summary>
    WrongState,
    /// <summary>The bytes do not hash to the declared SHA-256: the copy is dropped, the session stays Started (422).</summary>
    Damaged,
    /// <summary>The package is not this session's (manifest, data or counters): the session is UploadFailed (422).</summary>
    Refused,
}

public sealed record UploadReceipt(UploadReceiptKind Kind, UploadState State, string? Detail = null);

public sealed partial class UploadIntake
{
    /// <summary>
    /// Appends bytes [<paramref name="from"/>, from + length) of a <paramref name="total"/>-byte package to the session's partial file;
    /// when it is whole, checks its SHA-256, then that it is this session's package (<see cref="UploadPackageCheck"/>), and only then
    /// gives it its final name and marks the session Uploaded. Nothing reaches the final name from a bad request.
    /// </summary>
    public async Task<UploadReceipt> ReceiveAsync(UploadSessionRecord s, Stream body, long from, long total, string sha256, CancellationToken ct)
    {
        if (s.Status is UploadStatus.Uploaded or UploadStatus.Applied)
            return string.Equals(s.PackageSha256, sha256, StringComparison.OrdinalIgnoreCase) && s.PackageSize == total
                ? new(UploadReceiptKind.AlreadyUploaded, StateOf(s))
                : new(UploadReceiptKind.WrongState, StateOf(s), $"upload session {s.Id} is {s.Status} with another package");
        if (s.Status != UploadStatus.Started) return new(UploadReceiptKind.WrongState, StateOf(s), $"upload session {s.Id} is {s.Status}");
        var partial = PartialPath(s);
        var have = PartialLength(s);
        if (from != have || have > total)
            return new(UploadReceiptKind.OffsetMismatch, StateOf(s), $"the server holds {have} byte(s) of upload session {s.Id}; continue from there");
        PrivateFiles.CreateFolder(UploadFolder);
        if (!await AppendAsync(partial, body, total - from, ct).ConfigureAwait(false))
            return new(UploadReceiptKind.OffsetMismatch, StateOf(s), $"an earlier part of upload session {s.Id} is still being written; ask again");
        if (new FileInfo(partial).Length < total) return new(UploadReceiptKind.Partial, StateOf(s));
        return await CompleteAsync(s, partial, total, sha256, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies at most <paramref name="limit"/> bytes; a cut connection leaves what arrived, flushed, for the next part. False when
    /// the partial file is still open for an earlier request (a client that resumed before the server noticed the cut).
    /// </summary>
    private static async Task<bool> AppendAsync(string partial, Stream body, long limit, CancellationToken ct)
    {
        var options = PrivateFiles.NewFileOptions(Path.GetDirectoryName(partial)!, useAsync: true, exclusive: false);
        options.Mode = FileMode.Append;
        FileStream file;
        try { file = new FileStream(partial, options); }
        catch (IOException) { return false; }
        await using var _ = file;
        var buffer = new byte[1 << 16];
        var left = limit;
        try
        {
            int n;
            while (left > 0 && (n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                left -= n;
            }
        }
        finally
        {
            await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        return true;
    }

    private async Task<UploadReceipt> CompleteAsync(UploadSessionRecord s, string partial, long total, string sha256, CancellationToken ct)
    {
        var actual = await FileHash.Sha256Async(partial, ct).ConfigureAwait(false);
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            TryDelete(partial);
            return new(UploadReceiptKind.Damaged, StateOf(s), $"the {total} byte(s) received hash to {actual}, not the declared {Printable(sha256)}; " +
                "the copy was dropped: send the package again");
        }
        var refusal = await RefusalAsync(s, partial, ct).ConfigureAwait(false);
        var name = PackageName(s.JobId, s.Id);
        if (refusal is not null)
        {
            TryDelete(partial);
            var message = $"Upload session {s.Id} of channel database {s.ChannelDatabase} was refused by the endpoint: {refusal}.";
            await store.ChangeUploadAsync(s.Id, [UploadStatus.Started], UploadStatus.UploadFailed, message, TriesChange.Increment, ct).ConfigureAwait(false);
            return new(UploadReceiptKind.Refused, StateOf(await FindAsync(s.Id, ct).ConfigureAwait(false) ?? s), message);
        }
        var final = PackageFiles.TryPathIn(UploadFolder, name)!;
        File.Move(partial, final, overwrite: false);
        if (!await store.MarkUploadedAsync(s.Id, name, total, actual, s.RowCount, ct).ConfigureAwait(false))
        {
            PackageFiles.TryDelete(final);
            var now = await FindAsync(s.Id, ct).ConfigureAwait(false) ?? s;
            return new(UploadReceiptKind.WrongState, StateOf(now), $"upload session {s.Id} became {now.Status} while its package arrived");
        }
        return new(UploadReceiptKind.Complete, StateOf(await FindAsync(s.Id, ct).ConfigureAwait(false) ?? s));
    }

    /// <summary>Why the package is not this session's (a forged or broken one), or null: the checks HQ's apply repeats before writing.</summary>
    private async Task<string?> RefusalAsync(UploadSessionRecord s, string path, CancellationToken ct)
    {
        try
        {
            using var package = PackageReader.Open(path);
            await package.VerifyAsync(ct).ConfigureAwait(false);
            UploadPackageCheck.CheckManifest(package.Manifest, s, config.Partition);
            await UploadPackageCheck.CheckCountersAsync(package, s, ct).ConfigureAwait(false);
            return null;
        }
        catch (AsyncServerException ex) { return ex.Message; }
        catch (Exception ex) when (ex is PackageFormatException or InvalidDataException or IOException or System.Text.Json.JsonException
            or FormatException or InvalidCastException or OverflowException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return "its package cannot be read: " + ex.Message;
        }
    }
}
