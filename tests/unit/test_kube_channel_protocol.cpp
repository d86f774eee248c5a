#include "kube/channel_protocol.hpp"

#include <doctest/doctest.h>

#include <string>

using kpg::kube::Channel;
using kpg::kube::ChannelProtocol;

TEST_CASE("channel_protocol_name")
{
  CHECK(kpg::kube::channel_protocol_name(ChannelProtocol::v5) == "v5.channel.k8s.io");
  CHECK(kpg::kube::channel_protocol_name(ChannelProtocol::v4) == "v4.channel.k8s.io");
  CHECK(kpg::kube::k_offered_channel_protocols == "v5.channel.k8s.io, v4.channel.k8s.io");
}

TEST_CASE("parse_channel_protocol")
{
  CHECK(kpg::kube::parse_channel_protocol("v5.channel.k8s.io") == ChannelProtocol::v5);
  CHECK(kpg::kube::parse_channel_protocol("v4.channel.k8s.io") == ChannelProtocol::v4);
  SUBCASE("protocols not offered are refused")
  {
    CHECK_FALSE(kpg::kube::parse_channel_protocol("v4.base64.channel.k8s.io"));
    CHECK_FALSE(kpg::kube::parse_channel_protocol("channel.k8s.io"));
    CHECK_FALSE(kpg::kube::parse_channel_protocol(""));
  }
}

TEST_CASE("decode_frame")
{
  SUBCASE("stdout bytes")
  {
    const std::string message("\x01hello\n", 7);
    const auto frame = kpg::kube::decode_frame(message);
    REQUIRE(frame);
    CHECK(frame->channel == Channel::std_out);
    CHECK(frame->payload == "hello\n");
  }
  SUBCASE("binary payload with NUL and 0xFF bytes")
  {
    const std::string message("\x02\x00\xff\x01", 4);
    const auto frame = kpg::kube::decode_frame(message);
    REQUIRE(frame);
    CHECK(frame->channel == Channel::std_err);
    CHECK(frame->payload == std::string("\x00\xff\x01", 3));
  }
  SUBCASE("the empty readiness message after the upgrade")
  {
    const auto frame = kpg::kube::decode_frame(std::string("\x01", 1));
    REQUIRE(frame);
    CHECK(frame->payload.empty());
  }
  SUBCASE("an unknown channel is kept for the caller to discard")
  {
    const auto frame = kpg::kube::decode_frame("\x07x");
    REQUIRE(frame);
    CHECK(static_cast<int>(frame->channel) == 7);
  }
  SUBCASE("a message without a channel byte")
  {
    const auto frame = kpg::kube::decode_frame("");
    REQUIRE_FALSE(frame);
    CHECK(frame.error() == "empty message: no channel byte");
  }
}

TEST_CASE("encode_frame")
{
  CHECK(kpg::kube::encode_frame(Channel::std_in, "ls\n") == std::string("\x00ls\n", 4));
  CHECK(kpg::kube::encode_frame(Channel::std_in, "") == std::string("\x00", 1));
}

TEST_CASE("encode_resize")
{
  CHECK(kpg::kube::encode_resize({ 80, 24 }) == "\x04{\"Width\":80,\"Height\":24}");
  CHECK(kpg::kube::encode_resize({ 65535, 0 }) == "\x04{\"Width\":65535,\"Height\":0}");
}

TEST_CASE("encode_close")
{
  CHECK(kpg::kube::encode_close(Channel::std_in) == std::string("\xff\x00", 2));
  CHECK(kpg::kube::encode_close(Channel::std_in).size() == 2);
}
