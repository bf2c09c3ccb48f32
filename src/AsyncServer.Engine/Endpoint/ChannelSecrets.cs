using System.Security.Cryptography;
using System.Text;

namespace AsyncServer.Endpoint;

/// <summary>
/// Channel-database secrets: generated here (256 random bits), shown once, stored only as a salted SHA-256.
/// A slow password hash is not needed: the secret is random and as long as the hash, so there is nothing
/// to guess from a stolen hash, and every poll of every store can afford to verify it.
/// </summary>
public static class ChannelSecrets
{
    /// <summary>Marks the text as an AsyncServer channel secret (secret scanners and people recognise it).</summary>
    public const string Prefix = "asc_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewSalt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public static string Hash(string salt, string secret)
    {
        var saltBytes = Convert.FromHexString(salt);
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var input = new byte[saltBytes.Length + secretBytes.Length];
        saltBytes.CopyTo(input, 0);
        secretBytes.CopyTo(input, saltBytes.Length);
        return Convert.ToHexString(SHA256.HashData(input)).ToLowerInvariant();
    }

    /// <summary>Compares in fixed time, so response timing tells nothing about how much of a guess matched.</summary>
    public static bool Matches(string salt, string expectedHash, string secret)
    {
        if (secret.Length is 0 or > 512) return false;
        var actual = Encoding.ASCII.GetBytes(Hash(salt, secret));
        var expected = Encoding.ASCII.GetBytes(expectedHash);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
