using PrimeDirective.Gateway.Hosting;

// The gateway: HTTP in front of the Orleans cluster (co-hosted silo by default, or a client; see GatewayOrleans).
var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.UseGateway();
app.Run();
