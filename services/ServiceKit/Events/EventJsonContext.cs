using System.Text.Json;
using System.Text.Json.Serialization;

namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Source-generated JSON for the envelope: camelCase (the Web defaults, as every Synaxis API), null
/// members left out so optional ones cost nothing on the stream.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SynaxisEvent))]
public sealed partial class EventJsonContext : JsonSerializerContext;
