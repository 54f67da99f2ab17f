"""An SMS provider emulator in the shape of Aliyun's 短信服务 (dysmsapi SendSms)."""
