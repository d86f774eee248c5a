#pragma once
// The Kubernetes channel protocol that carries exec (and attach) streams over one
// WebSocket: binary messages of the form [1 byte channel][payload].
//
//   channel 0  client->server  stdin bytes
//   channel 1  server->client  stdout bytes
//   channel 2  server->client  stderr bytes
//   channel 3  server->client  one metav1.Status JSON at the end (exec_status.hpp)
//   channel 4  client->server  terminal resize, JSON {"Width":W,"Height":H}
//   channel 255 client->server v5 only: exactly [0xFF, ch] half-closes channel ch
//
// Sources: apimachinery pkg/util/httpstream/wsstream/conn.go (framing),
// pkg/util/remotecommand/constants.go (protocol names), client-go
// tools/remotecommand/websocket.go and resize.go; ../shared/K8S_API.md 5.2-5.3.

#include "core/expected.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kpg::kube {

// The binary channel subprotocols this client speaks. v5 (served by the API
// server's stream translator from Kubernetes 1.30) adds the close channel, so
// stdin can end without closing the socket; v4 (served by the kubelet on every
// supported version) cannot signal stdin EOF.
enum class ChannelProtocol
{
  v4,
  v5
};

// The Sec-WebSocket-Protocol header value a client sends: v5 preferred, then v4.
inline constexpr std::string_view k_offered_channel_protocols =
  "v5.channel.k8s.io, v4.channel.k8s.io";

// "v4.channel.k8s.io" or "v5.channel.k8s.io".
std::string_view channel_protocol_name(ChannelProtocol protocol);

// The protocol the server chose (the Sec-WebSocket-Protocol response header);
// std::nullopt for anything this client did not offer (client-go rejects those
// too: transport/websocket/roundtripper.go).
std::optional<ChannelProtocol> parse_channel_protocol(std::string_view header_value);

enum class Channel : std::uint8_t
{
  std_in = 0,
  std_out = 1,
  std_err = 2,
  status = 3,
  resize = 4,
  close = 255,
};

// One received message split into its channel and payload. The payload views the
// message; it stays valid as long as the message buffer does.
struct Frame
{
  Channel channel;
  std::string_view payload;
};

// Splits a received binary message. A message without the channel byte is a
// protocol error (the error text names the problem).
Expected<Frame, std::string> decode_frame(std::string_view message);

// [channel][payload], ready to send as one binary message.
std::string encode_frame(Channel channel, std::string_view payload);

// Terminal size in character cells, as the resize channel carries it (Go's
// uint16 fields of remotecommand.TerminalSize).
struct TerminalSize
{
  std::uint16_t width = 0;
  std::uint16_t height = 0;

  friend bool operator==(const TerminalSize&, const TerminalSize&) = default;
};

// Channel 4 message: [0x04]{"Width":W,"Height":H}.
std::string encode_resize(TerminalSize size);

// v5 close message: exactly [0xFF, channel]. encode_close(Channel::std_in) is
// stdin EOF.
std::string encode_close(Channel channel);

} // namespace kpg::kube
