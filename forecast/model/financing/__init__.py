"""financing"""
