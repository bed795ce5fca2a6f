namespace PrimeDirective.Verify;

/// <summary>The command line: <c>verify receipt.json --keys keys.json</c>; exit code 0 only for a receipt that verifies.</summary>
public static class Verifier
{
    /// <summary>The exit code of a receipt that verifies.</summary>
    public const int Verified = 0;

    /// <summary>The exit code of a receipt that does not.</summary>
    public const int NotVerified = 1;

    /// <summary>The exit code of a wrong command line or an unreadable file.</summary>
    public const int Usage = 2;

    private const string Help = "usage: verify <receipt.json> --keys <keys.json>\n"
        + "Checks a signed receipt (a JWS with alg EdDSA) against a saved copy of /.well-known/prime-directive/keys.json, offline.";

    /// <summary>Runs the command with <paramref name="args"/>, writing what it proves (or why not) to <paramref name="output"/>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var operands = args.SkipWhile(arg => arg == "verify").ToList();
        var keysAt = operands.IndexOf("--keys");
        if (keysAt < 0 || keysAt + 1 >= operands.Count || operands.Count != 3)
        {
            output.WriteLine(Help);
            return Usage;
        }

        var keysPath = operands[keysAt + 1];
        var receiptPath = operands.Where((_, index) => index != keysAt && index != keysAt + 1).Single();
        string receipt, keys;
        try
        {
            receipt = File.ReadAllText(receiptPath);
            keys = File.ReadAllText(keysPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"NOT VERIFIED: cannot read a file ({exception.GetType().Name}).");
            return Usage;
        }

        var verdict = ReceiptCheck.Check(receipt, keys);
        output.WriteLine(verdict.Verified ? "VERIFIED" : "NOT VERIFIED: " + verdict.Reason);
        foreach (var line in verdict.Facts)
        {
            output.WriteLine("  " + line);
        }

        return verdict.Verified ? Verified : NotVerified;
    }
}
