using System.Security.Cryptography;
using AsyncServer.Diagnostics;
using AsyncServer.Endpoint;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// The client's download hashes the package as it streams (seeded with the partial file's bytes when it resumes): a cut
/// download still resumes by range and verifies whole, and bytes changed in the partial file are still refused.
/// </summary>
public sealed class EndpointDownloadTests
{
    private const int PackageBytes = 3 << 20;

    /// <summary>Records random bytes as the session's package (file, size and SHA-256), larger than one read of the body.</summary>
    private static async Task<(RemoteSession Session, byte[] Bytes)> LargePackageAsync(EndpointSetup setup, EndpointClient client)
    {
        var s = (await client.GetSessionsAsync(CancellationToken.None)).Sessions.MaxBy(x => x.PackageSize)!;
        var bytes = RandomNumberGenerator.GetBytes(PackageBytes);
        var sha = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        await File.WriteAllBytesAsync(Path.Combine(setup.Configuration.DownloadFolder, setup.Sessions.Single(x => x.Id == s.Id).PackageFile!), bytes);
        var builder = new SqliteConnectionStringBuilder(setup.Context().MessageConnection.ConnectionString) { Pooling = false };
        await using var conn = new SqliteConnection(builder.ConnectionString);
        await conn.OpenAsync();
        await using var update = conn.CreateCommand();
        update.CommandText = "UPDATE download_sessions SET package_size = $size, package_sha256 = $sha WHERE id = $id";
        update.Parameters.AddWithValue("$size", bytes.LongLength);
        update.Parameters.AddWithValue("$sha", sha);
        update.Parameters.AddWithValue("$id", s.Id);
        Assert.Equal(1, await update.ExecuteNonQueryAsync());
        return (s with { PackageSize = bytes.LongLength, PackageSha256 = sha }, bytes);
    }

    private static EndpointClient Client(EndpointSetup setup, Func<long, long, long, long, CancellationToken, Task>? afterChunk = null) =>
        new(setup.BaseAddress, "HOUSTON", setup.Secrets["HOUSTON"], new EndpointClientOptions
        {
            CertificateThumbprint = setup.Certificate.Thumbprint, FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 2, AfterChunk = afterChunk,
        });

    [Fact]
    public async Task A_download_cut_mid_body_resumes_by_range_and_the_hash_taken_while_streaming_is_the_files()
    {
        await using var setup = await EndpointSetup.CreateAsync("dlcut", null);
        var starts = new List<long>();
        var cut = false;
        using var client = Client(setup, (_, start, written, size, _) =>
        {
            lock (starts) starts.Add(start);
            // The connection breaks once, a third of the way in: the retry asks for the rest with a range.
            if (!cut && written >= size / 3 && written < size) { cut = true; throw new IOException("connection cut by the test"); }
            return Task.CompletedTask;
        });
        var (s, bytes) = await LargePackageAsync(setup, client);
        var target = Path.Combine(setup.Folder, "cut.zip");

        Assert.True(await client.DownloadAsync(s, target, CancellationToken.None));

        Assert.True(cut);
        Assert.Contains(starts, start => start > 0 && start < PackageBytes);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(target + ".partial"));

        // Downloaded again whole (no cut), the streamed hash and the file's agree with the listing as well.
        File.Delete(target);
        Assert.True(await client.DownloadAsync(s, target, CancellationToken.None));
        Assert.Equal(s.PackageSha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(target))), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_resumed_download_whose_partial_bytes_were_changed_is_refused_before_use()
    {
        await using var setup = await EndpointSetup.CreateAsync("dltamper", null);
        using var stop = new CancellationTokenSource();
        var starts = new List<long>();
        using var client = Client(setup, (_, start, written, size, _) =>
        {
            lock (starts) starts.Add(start);
            // The first run stops (canceled) half way, leaving its partial file for the next run to continue.
            if (start == 0 && written >= size / 2 && written < size) stop.Cancel();
            return Task.CompletedTask;
        });
        var (s, _) = await LargePackageAsync(setup, client);
        var target = Path.Combine(setup.Folder, "tampered.zip");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DownloadAsync(s, target, stop.Token));
        var partial = target + ".partial";
        var left = new FileInfo(partial).Length;
        Assert.InRange(left, 1, PackageBytes - 1);

        // Someone changes a byte the first run wrote; the next run continues after it and must not accept the result.
        await using (var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 100;
            var b = file.ReadByte();
            file.Position = 100;
            file.WriteByte((byte)(b ^ 0xFF));
        }
        starts.Clear();
        var mismatch = await Assert.ThrowsAsync<AsyncServerException>(() => client.DownloadAsync(s, target, CancellationToken.None));

        Assert.Equal(ErrorIds.PackageMismatch, mismatch.ErrorId);
        Assert.Contains(left, starts); // it did resume by range: only the seeded hash could see the change
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(partial));
    }
}
