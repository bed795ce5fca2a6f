using PrimeDirective.Verify;

return Verifier.Run(args, Console.Out);
