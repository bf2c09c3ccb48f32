using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>A self-signed server certificate for 127.0.0.1, made by the test: a PFX file and a password file beside it.</summary>
public sealed record TestCertificate(string PfxPath, string PasswordFile, string Thumbprint)
{
    public static TestCertificate Create(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=asyncserver-endpoint-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var pfx = Path.Combine(folder, "server.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pkcs12, password));
        var passwordFile = Path.Combine(folder, "server.pfx.password");
        File.WriteAllText(passwordFile, password + "\n");
        return new TestCertificate(pfx, passwordFile, cert.Thumbprint);
    }
}
