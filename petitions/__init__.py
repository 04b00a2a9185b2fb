"""Đơn thư: reception visits, complaint and denunciation specifics."""
