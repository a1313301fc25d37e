USE [master]
GO
/****** Object:  Database [Hospital]    Script Date: 2024/5/6 9:12:31 ******/
CREATE DATABASE [Hospital]
 CONTAINMENT = NONE
 ON  PRIMARY 
( NAME = N'Hospital', FILENAME = N'D:\MSSQL\DATA\Hospital.mdf' , SIZE = 8192KB , MAXSIZE = UNLIMITED, FILEGROWTH = 65536KB )
 LOG ON 
( NAME = N'Hospital_log', FILENAME = N'D:\MSSQL\DATA\Hospital_log.ldf' , SIZE = 8192KB , MAXSIZE = 2048GB , FILEGROWTH = 65536KB )
 COLLATE Chinese_PRC_CI_AS
 WITH CATALOG_COLLATION = DATABASE_DEFAULT
GO
ALTER DATABASE [Hospital] SET COMPATIBILITY_LEVEL = 150
GO
ALTER DATABASE [Hospital] SET ANSI_NULL_DEFAULT OFF 
GO
ALTER DATABASE [Hospital] SET RECOVERY FULL 
GO
USE [Hospital]
GO
/****** Object:  Schema [bill]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SCHEMA [bill]
GO
/****** Object:  Schema [clin]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SCHEMA [clin]
GO
/****** Object:  Schema [lab]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SCHEMA [lab] AUTHORIZATION [dbo]
GO
/****** Object:  Schema [pharm]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SCHEMA [pharm]
GO
/****** Object:  UserDefinedDataType [dbo].[ut_Flag]    Script Date: 2024/5/6 9:12:31 ******/
CREATE TYPE [dbo].[ut_Flag] FROM [bit] NOT NULL
GO
/****** Object:  UserDefinedDataType [dbo].[ut_Mrn]    Script Date: 2024/5/6 9:12:31 ******/
CREATE TYPE [dbo].[ut_Mrn] FROM [varchar](20) NOT NULL
GO
/****** Object:  UserDefinedDataType [dbo].[ut_Name]    Script Date: 2024/5/6 9:12:31 ******/
CREATE TYPE [dbo].[ut_Name] FROM [nvarchar](50) NULL
GO
/****** Object:  UserDefinedDataType [dbo].[ut_Amount]    Script Date: 2024/5/6 9:12:31 ******/
CREATE TYPE [dbo].[ut_Amount] FROM [decimal](18, 2) NULL
GO
/****** Object:  UserDefinedTableType [dbo].[OrderLineList]    Script Date: 2024/5/6 9:12:31 ******/
CREATE TYPE [dbo].[OrderLineList] AS TABLE(
	[LineNo] [int] NOT NULL,
	[ItemCode] [varchar](20) NOT NULL,
	[Quantity] [decimal](9, 2) NOT NULL,
	PRIMARY KEY CLUSTERED 
(
	[LineNo] ASC
)WITH (IGNORE_DUP_KEY = OFF)
)
GO
/****** Object:  Sequence [lab].[SpecimenNumber]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SEQUENCE [lab].[SpecimenNumber] 
 AS [bigint]
 START WITH 100000
 INCREMENT BY 1
 MINVALUE 100000
 MAXVALUE 999999999
 CACHE  50 
GO
/****** Object:  Sequence [bill].[InvoiceNumber]    Script Date: 2024/5/6 9:12:31 ******/
CREATE SEQUENCE [bill].[InvoiceNumber] 
 AS [int]
 START WITH 1
 INCREMENT BY 1
 MINVALUE 1
 MAXVALUE 99999999
 CYCLE 
 NO CACHE 
GO
