using AsyncServer.Configuration;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// How a store's finished package reaches HQ. The shared working folder is <see cref="FolderUploadTransport"/>; the HTTPS
/// endpoint plugs in here too (docs/upload.md). A transport either delivers the file whole, under its name, with the given
/// size and SHA-256, or throws; it never leaves a partial file where HQ looks.
/// </summary>
public interface IUploadTransport
{
    /// <summary>Where the package goes, for messages (a folder or an address; never a secret).</summary>
    string Destination { get; }

    Task DeliverAsync(string localPackage, string packageName, long size, string sha256, CancellationToken cancellationToken);
}

/// <summary>The shared upload folder: <see cref="PackageTransfer"/> copies to a new temporary file, flushes, checks and renames.</summary>
public sealed class FolderUploadTransport(string folder) : IUploadTransport
{
    public static FolderUploadTransport Of(AsyncServerConfiguration config) => new(config.UploadFolder);

    public string Destination => folder;

    public async Task DeliverAsync(string localPackage, string packageName, long size, string sha256, CancellationToken cancellationToken)
    {
        var target = PackageFiles.TryPathIn(folder, packageName)
            ?? throw new InvalidOperationException($"'{PackageFiles.Printable(packageName)}' is not a package file name.");
        PrivateFiles.CreateFolder(folder);
        var result = await PackageTransfer.CopyAsync(localPackage, target, size, sha256, cancellationToken).ConfigureAwait(false);
        if (!result.Matches)
            throw new IOException($"the copy of {packageName} in {folder} came out with {result.Size} bytes and SHA-256 {result.Sha256}, " +
                $"not {size} and {sha256}");
    }
}
