using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>Eight-digit one-time codes; only a salted hash of a code is ever stored.</summary>
public static class OneTimeCode
{
    /// <summary>How many digits a code has.</summary>
    public const int Digits = 8;

    /// <summary>A fresh random code.</summary>
    public static string New() => RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>A fresh salt for a code's hash.</summary>
    public static string NewSalt() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The stored form of a code.</summary>
    public static string Hash(string code, string salt) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}\n{code}")));

    /// <summary>Whether <paramref name="presented"/> is the code behind <paramref name="hash"/>, in constant time.</summary>
    public static bool Matches(string presented, string salt, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Hash(presented, salt)), Encoding.UTF8.GetBytes(hash));

    /// <summary>Whether <paramref name="code"/> has the shape of a code (so malformed input is refused before any lookup).</summary>
    public static bool IsWellFormed(string? code) => code is { Length: Digits } && code.All(char.IsAsciiDigit);
}
