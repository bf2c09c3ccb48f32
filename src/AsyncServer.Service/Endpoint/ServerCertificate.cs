using System.Security.Cryptography.X509Certificates;

namespace AsyncServer.Service.Endpoint;

/// <summary>Loads the server certificate named in the settings: a PFX (PKCS#12) file, or a PEM certificate with its PEM key.</summary>
public static class ServerCertificate
{
    public static X509Certificate2 Load(CertificateSettings s, string baseDirectory)
    {
        var path = Path.GetFullPath(s.Path, baseDirectory);
        if (!File.Exists(path)) throw new ArgumentException($"endpoint.certificate.path: {path} does not exist.");
        var password = Password(s, baseDirectory);
        try
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext is ".pfx" or ".p12")
                return X509CertificateLoader.LoadPkcs12FromFile(path, password,
                    OperatingSystem.IsWindows() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet);
            var keyPath = s.KeyPath is null ? null : Path.GetFullPath(s.KeyPath, baseDirectory);
            var pem = password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            if (!pem.HasPrivateKey)
                throw new ArgumentException($"endpoint.certificate: {path} holds no private key; name the key file in endpoint.certificate.keyPath.");
            // SslStream on Windows needs a key it can reach through a key container: round-trip through PKCS#12.
            return OperatingSystem.IsWindows() ? X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null) : pem;
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // The message names the file and what went wrong, never the password.
            throw new ArgumentException($"endpoint.certificate: cannot load {path}: {ex.Message} (wrong password, or not a certificate with its key?)");
        }
    }

    private static string? Password(CertificateSettings s, string baseDirectory)
    {
        if (s.PasswordEnvironmentVariable is { } name)
            return Environment.GetEnvironmentVariable(name)
                ?? throw new ArgumentException($"endpoint.certificate.passwordEnvironmentVariable: the environment variable {name} is not set.");
        if (s.PasswordFile is { } file)
        {
            var full = Path.GetFullPath(file, baseDirectory);
            return File.Exists(full)
                ? File.ReadAllText(full).TrimEnd('\r', '\n')
                : throw new ArgumentException($"endpoint.certificate.passwordFile: {full} does not exist.");
        }
        return null;
    }
}
