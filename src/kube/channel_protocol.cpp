#include "kube/channel_protocol.hpp"

#include <nlohmann/json.hpp>

namespace kpg::kube {

namespace {

constexpr std::string_view k_v4_name = "v4.channel.k8s.io";
constexpr std::string_view k_v5_name = "v5.channel.k8s.io";

char channel_byte(Channel channel)
{
  return static_cast<char>(static_cast<std::uint8_t>(channel));
}

} // namespace

std::string_view channel_protocol_name(ChannelProtocol protocol)
{
  return protocol == ChannelProtocol::v5 ? k_v5_name : k_v4_name;
}

std::optional<ChannelProtocol> parse_channel_protocol(std::string_view header_value)
{
  if (header_value == k_v5_name) {
    return ChannelProtocol::v5;
  }
  if (header_value == k_v4_name) {
    return ChannelProtocol::v4;
  }
  return std::nullopt;
}

Expected<Frame, std::string> decode_frame(std::string_view message)
{
  if (message.empty()) {
    return unexpected(std::string("empty message: no channel byte"));
  }
  return Frame{ static_cast<Channel>(static_cast<std::uint8_t>(message.front())),
                message.substr(1) };
}

std::string encode_frame(Channel channel, std::string_view payload)
{
  std::string frame;
  frame.reserve(payload.size() + 1);
  frame.push_back(channel_byte(channel));
  frame.append(payload);
  return frame;
}

std::string encode_resize(TerminalSize size)
{
  const nlohmann::ordered_json body = { { "Width", size.width }, { "Height", size.height } };
  return encode_frame(Channel::resize, body.dump());
}

std::string encode_close(Channel channel)
{
  return { channel_byte(Channel::close), channel_byte(channel) };
}

} // namespace kpg::kube
