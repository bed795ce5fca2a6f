using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Hosting;

// A silo process: the one silo configuration, driven by appsettings, environment (PD_ prefix too) and arguments.
await SiloHost.CreateBuilder(args).Build().RunAsync();
