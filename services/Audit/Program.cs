using Synaxis.Audit.Extensions;
using Synaxis.Audit.Realtime;
using Synaxis.ServiceKit.Http;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddAuditRealtime();

var app = builder.Build();
app.UseServiceApi();
app.MapAuditApis();
app.MapAuditHub();
app.Run();

/// <summary>Visible to tests, which host the service through WebApplicationFactory.</summary>
public partial class Program;
