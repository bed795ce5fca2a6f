using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Hosting;

// After restoring a database or the key store, before any silo starts on it: destroy again what the fence log says was destroyed.
if (args is [FenceRestoreCommand.Name, .. var options])
{
    return await FenceRestoreCommand.RunAsync(options, Console.Out);
}

// A silo process: the one silo configuration, driven by appsettings, environment (PD_ prefix too) and arguments.
await SiloHost.CreateBuilder(args).Build().RunAsync();
return 0;
